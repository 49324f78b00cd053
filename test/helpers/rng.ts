/** mulberry32: a small seeded PRNG, the same sequence for the same seed everywhere (seeded fuzzing and generated test inputs). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text of 1 to `maxPieces` pieces drawn by `random` (seeded generated inputs for differential tests). */
export function randomText(random: () => number, pieces: readonly string[], maxPieces: number): string {
  let text = '';
  const len = 1 + Math.floor(random() * maxPieces);
  for (let i = 0; i < len; i++) text += pieces[Math.floor(random() * pieces.length)];
  return text;
}
