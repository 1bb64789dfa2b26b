#!/usr/bin/python3
"""Traffic for test_ct.sh, run in the namespaces it sets up.

  ct_traffic.py servers            (in C) UDP echo on 5353, TCP on 8080, an FTP-like
                                   control server on 21 answering PASV, its data port 51210
  ct_traffic.py client MODE...     (in A) one of: udp-dnat, udp PORT, tcp, ftp
Every socket has a timeout: nothing here can hang a test run.
"""
import socket
import sys
import threading
import time

C_ADDR = "198.51.100.2"
DATA_PORT = 200 * 256 + 10


def udp_echo():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 5353))
    while True:
        d, peer = s.recvfrom(2048)
        s.sendto(b"r" + d, peer)


def tcp_server(port, handler):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.settimeout(5)
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def hello(c):
    try:
        c.sendall(b"hello\n")
        c.recv(100)
    except OSError:
        pass
    c.close()


def ftp_control(c):
    # Just enough of FTP for the kernel's ftp helper to expect the data connection.
    try:
        c.sendall(b"220 rete test\r\n")
        while True:
            line = c.recv(200)
            if not line:
                break
            if line.upper().startswith(b"PASV"):
                h = C_ADDR.replace(".", ",")
                c.sendall(b"227 Entering Passive Mode (%s,%d,%d)\r\n"
                          % (h.encode(), DATA_PORT >> 8, DATA_PORT & 255))
            else:
                c.sendall(b"200 ok\r\n")
    except OSError:
        pass
    c.close()


def servers():
    for target, args in ((udp_echo, ()), (tcp_server, (8080, hello)),
                         (tcp_server, (21, ftp_control)), (tcp_server, (DATA_PORT, hello))):
        threading.Thread(target=target, args=args, daemon=True).start()
    time.sleep(120)


def client(mode, arg=None):
    if mode == "udp-dnat":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(b"dnat", ("192.0.2.2", 7777))
        s.recvfrom(100)
    elif mode == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", (C_ADDR, int(arg)))
        time.sleep(0.2)
    elif mode == "tcp":
        s = socket.create_connection((C_ADDR, 8080), timeout=5)
        s.recv(100)
        s.sendall(b"bye\n")
        s.close()
    elif mode == "ftp":
        s = socket.create_connection((C_ADDR, 21), timeout=5)
        s.recv(200)
        s.sendall(b"PASV\r\n")
        reply = s.recv(200).decode()
        nums = reply[reply.index("(") + 1:reply.index(")")].split(",")
        host, port = ".".join(nums[:4]), int(nums[4]) * 256 + int(nums[5])
        d = socket.create_connection((host, port), timeout=5)
        d.recv(100)
        d.close()
        s.close()
    time.sleep(0.2)


if __name__ == "__main__":
    if sys.argv[1] == "servers":
        servers()
    else:
        client(*sys.argv[2:])
