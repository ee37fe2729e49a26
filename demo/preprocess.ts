// A drawing → a 28×28 MNIST-like input, the way the MNIST digits were made (LeCun et al.): the ink's bounding box is
// scaled to fit a 20×20 box (aspect ratio kept, area-averaged), placed in a 28×28 field with its centre of mass at
// the centre (14, 14), and the values normalized to [0, 1] (white ink on black = 1). Pure: testable without a canvas.

export const SIDE = 28;
const BOX = 20;

/**
 * `ink` holds W×H intensities row by row (any scale, 0 = background). Returns 784 values in [0, 1], or null when
 * nothing is drawn.
 */
export function toMnistInput(ink: ArrayLike<number>, W: number, H: number, threshold = 0.05): Float32Array | null {
  let max = 0;
  for (let i = 0; i < W * H; i++) if (ink[i] > max) max = ink[i];
  if (!(max > 0)) return null;
  const cut = threshold * max;
  let x0 = W,
    y0 = H,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (ink[y * W + x] > cut) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  // Scaled box: the longer side becomes 20 pixels.
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)),
    th = Math.max(1, Math.round(bh * scale));
  // Area averaging: each source pixel adds its share to every target cell it overlaps (exact box filter).
  const small = new Float64Array(tw * th);
  const sx = tw / bw,
    sy = th / bh;
  for (let y = y0; y <= y1; y++) {
    const ty0 = (y - y0) * sy,
      ty1 = ty0 + sy;
    for (let x = x0; x <= x1; x++) {
      const v = ink[y * W + x];
      if (!(v > 0)) continue;
      const tx0 = (x - x0) * sx,
        tx1 = tx0 + sx;
      for (let cy = Math.floor(ty0); cy < Math.min(th, Math.ceil(ty1)); cy++) {
        const oy = Math.min(ty1, cy + 1) - Math.max(ty0, cy);
        for (let cx = Math.floor(tx0); cx < Math.min(tw, Math.ceil(tx1)); cx++) {
          const ox = Math.min(tx1, cx + 1) - Math.max(tx0, cx);
          small[cy * tw + cx] += v * ox * oy;
        }
      }
    }
  }
  // Each target cell covers 1/(sx·sy) source pixels; dividing by that makes it an average.
  let mass = 0,
    mx = 0,
    my = 0,
    peak = 0;
  for (let cy = 0; cy < th; cy++) {
    for (let cx = 0; cx < tw; cx++) {
      const v = (small[cy * tw + cx] /= sx * sy);
      mass += v;
      mx += v * (cx + 0.5);
      my += v * (cy + 0.5);
      if (v > peak) peak = v;
    }
  }
  // Shift so that the centre of mass lands on the field's centre (whole pixels, as MNIST did).
  const dx = Math.round(SIDE / 2 - mx / mass),
    dy = Math.round(SIDE / 2 - my / mass);
  const out = new Float32Array(SIDE * SIDE);
  for (let cy = 0; cy < th; cy++) {
    const y = cy + dy;
    if (y < 0 || y >= SIDE) continue;
    for (let cx = 0; cx < tw; cx++) {
      const x = cx + dx;
      if (x >= 0 && x < SIDE) out[y * SIDE + x] = Math.min(1, small[cy * tw + cx] / peak);
    }
  }
  return out;
}
