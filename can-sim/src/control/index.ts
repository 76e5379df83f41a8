export { CONTROL_COMMANDS, parseControlCommand, parseSetCommand, type ControlCommand, type SimSetCommand } from './commands.js';
