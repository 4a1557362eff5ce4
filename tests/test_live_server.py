"""Against a real server on a loopback port: huge bodies are refused promptly, it stays up."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import httpx

from helpers import DEMO, creds_xml, envelope

FIFTY_MB = 50 * 1024 * 1024


def _addr(live_url: str) -> tuple[str, int]:
    u = urlparse(live_url)
    return u.hostname, u.port


def _read_response(sock: socket.socket, timeout: float = 10.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while b"</soap:Envelope>" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data


def _still_up(live_url: str) -> None:
    r = httpx.post(f"{live_url}/v20/default.asmx", content=envelope("Sessions_Create",
                   creds_xml(DEMO)), headers={"Content-Type": "text/xml; charset=utf-8"})
    assert r.status_code == 200 and b"<Success>true</Success>" in r.content


def test_declared_50mb_body_gets_a_fault_before_it_is_sent(live_url):
    host, port = _addr(live_url)
    started = time.monotonic()
    with socket.create_connection((host, port)) as sock:
        sock.sendall(
            b"POST /v20/default.asmx HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/soap+xml; charset=utf-8\r\n"
            + f"Content-Length: {FIFTY_MB}\r\n\r\n".encode()
            + b"<" * 65536
        )
        data = _read_response(sock)
    assert data.startswith(b"HTTP/1.1 400"), data[:200]
    assert b"exceeds the limit" in data and b"soap:Sender" in data
    assert time.monotonic() - started < 10
    _still_up(live_url)


def test_streamed_50mb_body_without_length_is_cut_off(live_url):
    host, port = _addr(live_url)
    started = time.monotonic()
    with socket.create_connection((host, port)) as sock:
        sock.sendall(b"POST /v20/default.asmx HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * (1024 * 1024)
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sent = 0
        try:
            while sent < FIFTY_MB:
                sock.sendall(framed)
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = _read_response(sock)
    assert data.startswith(b"HTTP/1.1 500"), data[:200]
    assert b"exceeds the limit" in data and b"soap:Client" in data
    assert time.monotonic() - started < 30
    _still_up(live_url)


def test_malformed_and_dtd_requests_do_not_take_the_server_down(live_url):
    for body in (b"<not-closed", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;</x>'):
        r = httpx.post(f"{live_url}/v20/default.asmx", content=body,
                       headers={"Content-Type": "text/xml"})
        assert r.status_code == 500 and b"soap:Client" in r.content
    _still_up(live_url)
