// A seeded pseudo-random generator (mulberry32), so a soak run can be repeated from its printed seed.

export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seed from the environment (OPENLINES_SOAK_SEED) or the clock. */
export function soakSeed(): number {
  const fromEnv = Number(process.env.OPENLINES_SOAK_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Date.now() % 2_147_483_647;
}
