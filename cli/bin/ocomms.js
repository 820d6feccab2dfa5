#!/usr/bin/env node
// The `ocomms` command: runs the built CLI (npm run build makes cli/dist).
import '../dist/main.js'
