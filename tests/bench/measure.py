"""measure: run a command as a child process and report its output, wall
time, CPU time and peak RSS (wait4), for the benchmarks beside this file."""
import os
import selectors
import time


def measured(argv, env=None, cwd=None):
    """Like run, with the child's own CPU and peak RSS (wait4)."""
    start = time.monotonic()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        if cwd:
            os.chdir(cwd)
        os.execve(argv[0], argv, env or os.environ)
    os.close(out_w)
    os.close(err_w)
    chunks = {out_r: [], err_r: []}
    sel = selectors.DefaultSelector()
    for fd in chunks:
        sel.register(fd, selectors.EVENT_READ)
    open_fds = set(chunks)
    while open_fds:
        for key, _ in sel.select():
            data = os.read(key.fd, 65536)
            if data:
                chunks[key.fd].append(data)
            else:
                sel.unregister(key.fd)
                open_fds.discard(key.fd)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    os.close(out_r)
    os.close(err_r)
    rc = os.waitstatus_to_exitcode(status)
    return rc, b"".join(chunks[out_r]), b"".join(chunks[err_r]), wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0
