#!/usr/bin/env python3
"""pty_run.py INPUT COMMAND...: run COMMAND with a pseudo-terminal as its
stdin, stdout and stderr (so password prompts switch echo off) and type INPUT, one
line whenever the program waits. Prints what appeared on the terminal and
exits with the command's exit code."""
import os, pty, sys, time

def main():
    data = sys.argv[1].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    out = b""
    lines = data.split(b"\n")
    time.sleep(0.3)
    for line in lines[:-1] if data.endswith(b"\n") else lines:
        try:
            os.write(fd, line + b"\n")
        except OSError:
            break
        time.sleep(0.3)
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))

main()
