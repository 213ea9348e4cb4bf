/** Seeded scalar draws (uniform, normal, int, permutation): core's Generator. */
export { Generator as SeededRandom } from '@headsplat/core';
