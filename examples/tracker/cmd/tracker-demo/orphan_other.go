//go:build !linux

package main

import "os/exec"

// orphanGuard does nothing where the system cannot signal a child when its
// parent dies: stop the workers by hand if the demo is killed.
func orphanGuard(*exec.Cmd) {}
