export { CanBridge, BRIDGE_OFFLINE_STATUS, type BridgeStats, type BridgeStatus, type CanBridgeEvents, type CanBridgeOptions } from './bridge.js';
export { FrameBatcher, type FrameBatcherOptions } from './batcher.js';
export { CandumpLineSplitter, type CandumpLineHandlers } from './line-splitter.js';
export { compileTxPolicy, createTxPolicy, describeTxPolicy, parseTxAllowList, type AllowedId, type TxPolicy } from './tx-policy.js';
export { CansendTxWriter, StreamTxWriter, cansendFrameSpec, type CansendTxWriterOptions, type SpawnFn, type TxWriter } from './tx-writer.js';
export { candumpCommand, spawnCandump } from './candump-process.js';
