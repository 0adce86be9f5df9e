"""flood.py PORT USER PASSWORD SECONDS: log in, then keep the server as busy
as one connection can: a thread sends Pings as fast as the socket takes
them while the main thread reads the replies, for SECONDS. Prints the
number of replies. Used by test_fairness.sh."""
import os, socket, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbwire

port, user, password, secs = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(pbwire.hello(1) + pbwire.login_password(2, user, password))
buf, got = b"", 0
while got < 2:
    buf += s.recv(65536)
    frames, buf = pbwire.read_frames(buf)
    got += len(frames)
end = time.time() + secs
chunk = pbwire.frame(pbwire.request(3, pbwire.PING, b"")) * 4096

def send():
    try:
        while time.time() < end:
            s.sendall(chunk)
    except OSError:
        pass

threading.Thread(target=send, daemon=True).start()
replies = 0
try:
    while time.time() < end:
        data = s.recv(1 << 20)
        if not data:
            break   # the server stopped (the test sends SIGTERM)
        buf += data
        frames, buf = pbwire.read_frames(buf)
        replies += len(frames)
except OSError:
    pass            # reset by the stopping server
print(replies)
