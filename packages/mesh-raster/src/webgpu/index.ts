export { MeshRasterizerWebGPU, createMeshRasterizer } from './mesh-rasterizer.js';
