#!/usr/bin/env bash
# Smoke test: start, log in, add a locality, read it back.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
expect_ok as admin locality add north "North Devon"
expect_ok as admin --json locality list
expect_json 'j[0]["code"]' north
expect_rc 3 as nobody locality list
finish
