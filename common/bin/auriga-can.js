#!/usr/bin/env node
// auriga-can: check, decode and encode with a DBC file (see docs/integrators/dbc.md).
import { launchTs } from "./launch-ts.js";

launchTs(new URL("../src/cli/auriga-can.ts", import.meta.url));
