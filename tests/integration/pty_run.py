#!/usr/bin/env python3
"""pty_run.py INPUT COMMAND...: run COMMAND on a pseudo-terminal (stdin,
stdout and stderr), so password prompts switch echo off as for a person,
and type INPUT one line per prompt. Prints everything that appeared on the
terminal and exits with the command's exit code."""
import os, pty, select, sys, time

def read_some(fd, timeout):
    """Bytes the program wrote within timeout seconds; None at its end."""
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return b""
    try:
        return os.read(fd, 4096) or None
    except OSError:
        return None

def main():
    lines = [l.encode() for l in sys.argv[1].split("\n")]
    if lines and lines[-1] == b"":
        lines.pop()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    out, seen, done = b"", 0, False
    for line in lines:
        # Type only once the program prompts: input typed earlier would be
        # discarded when the prompt switches echo off (TCSAFLUSH).
        deadline = time.time() + 20
        while b":" not in out[seen:] and time.time() < deadline:
            chunk = read_some(fd, 0.1)
            if chunk is None:
                done = True
                break
            out += chunk
        if done:
            break
        seen = len(out)
        time.sleep(0.2)
        os.write(fd, line + b"\n")
    while not done:
        chunk = read_some(fd, 20)
        if not chunk:
            break
        out += chunk
    # A program still waiting (say, for input it never got) is killed
    # after 30 s, so a broken test fails instead of hanging.
    deadline = time.time() + 30
    while True:
        done_pid, status = os.waitpid(pid, os.WNOHANG)
        if done_pid or time.time() > deadline:
            break
        time.sleep(0.05)
    if not done_pid:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        out += b"\n[pty_run: killed, still running after 30 s]\n"
    sys.stdout.write(out.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))

main()
