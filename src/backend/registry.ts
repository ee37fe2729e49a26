// Which backend a buffer belongs to, so that code handed only buffers (an optimizer's update(params, grads))
// can allocate its state beside them, in the same linear memory.
import type { Backend } from './types.js';

const owners = new WeakMap<ArrayBufferView, Backend>();

export function registerBuffer(view: ArrayBufferView, backend: Backend): void {
  owners.set(view, backend);
}

export function ownerOf(view: ArrayBufferView): Backend | undefined {
  return owners.get(view);
}
