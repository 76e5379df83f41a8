export { AcousticModel, type AcousticModelOptions, type ModelManifest, type Posteriors } from './model.js';
