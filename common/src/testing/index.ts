/** TESTS ONLY: helpers shared by the packages' integration tests (`@auriga/common/testing`). */
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait.js';
