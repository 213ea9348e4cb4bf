/** Seeded scalar draws (uniform, normal): core's Generator. */
export { Generator as SeededRandom } from '@headsplat/core';
