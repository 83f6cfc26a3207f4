// Package faults is Gantry's fault suite (make faults): its tests, built with the tag
// "faults", drive the real gantry-local binary over HTTP while things go wrong — the
// process killed mid-render and mid-deploy and restarted, DynamoDB Local killed, 50
// concurrent creates with one client token, hostile templates, oversized and slow
// clients — and assert the end state: every deployment terminal within a bound, nothing
// half-written, the platform answering. The suite prints a table: case, end state, time to
// terminal and the peak RSS of gantry-local (VmHWM of /proc/PID/status).
package faults
