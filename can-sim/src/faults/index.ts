export { FAULT_KINDS, FaultLayer, type ActiveFault, type FaultKind, type FaultLayerOptions, type FaultSpec } from './faults.js';
