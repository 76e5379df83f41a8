#!/usr/bin/env node
// auriga-ota: the fleet operator CLI (see docs/ota/operations.md).
import { launchTs } from "@auriga/common/launch-ts";

launchTs(new URL("../src/cli/main.ts", import.meta.url));
