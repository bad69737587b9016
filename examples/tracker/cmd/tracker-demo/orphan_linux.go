package main

import (
	"os/exec"
	"syscall"
)

// orphanGuard makes a worker process receive SIGTERM when the demo that
// started it dies, even by SIGKILL, so that no worker outlives it.
func orphanGuard(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
