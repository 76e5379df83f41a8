#!/usr/bin/env node
// auriga-sim: the simulated car on MQTT, and candump replay (see can-sim/README.md).
import { launchTs } from "@auriga/common/launch-ts";

launchTs(new URL("../src/cli.ts", import.meta.url));
