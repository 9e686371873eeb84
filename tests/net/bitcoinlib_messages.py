#!/usr/bin/env python3
"""Cross-check of tsbtc's P2P wire format against python-bitcoinlib (Debian's python3-bitcoinlib).

  encode            print {"name": "hex of the framed message"} for a fixed set of regtest messages built with
                    bitcoin.messages (values mirrored in tests/net/bitcoinlib_test.ts)
  decode            read {"name": "hex"} on stdin, parse each with bitcoin.messages, print
                    {"name": {"hex": re-serialized hex, "fields": {...}}} or {"name": {"error": "..."}}
  handshake PORT    connect to a tsbtc peer on 127.0.0.1:PORT, send version, wait for its version and verack,
                    send verack, the block and a ping, wait for the pong; the last line printed is
                    {"received": [commands], "version": {...}}

python-bitcoinlib's msg_headers writes bare 80-byte headers, without the transaction count (always 0) that
Bitcoin Core puts after each header; "headers" is therefore built with a subclass that writes Core's layout,
and "headers_bitcoinlib" shows the library's own layout.
"""

import json
import socket
import sys
from io import BytesIO

import bitcoin
from bitcoin.core import CBlock, CMutableTransaction, COutPoint, CTxIn, CTxInWitness, CTxOut, CTxWitness
from bitcoin.core.script import CScript, CScriptWitness
from bitcoin.core.serialize import VarIntSerializer
from bitcoin.messages import (
    MsgSerializable,
    msg_addr,
    msg_block,
    msg_getaddr,
    msg_getblocks,
    msg_getdata,
    msg_getheaders,
    msg_headers,
    msg_inv,
    msg_mempool,
    msg_notfound,
    msg_ping,
    msg_pong,
    msg_tx,
    msg_verack,
    msg_version,
)
from bitcoin.net import CAddress, CInv

bitcoin.SelectParams("regtest")


def h(n):
    return bytes([n]) * 32


class msg_headers_core(msg_headers):
    """Core's headers layout: each header followed by a zero transaction count."""

    def msg_ser(self, f):
        VarIntSerializer.stream_serialize(len(self.headers), f)
        for hdr in self.headers:
            hdr.get_header().stream_serialize(f)
            f.write(b"\x00")


def address(t, services, ip, port):
    a = CAddress()
    a.nTime = t
    a.nServices = services
    a.ip = ip
    a.port = port
    return a


def inv(t, hsh):
    i = CInv()
    i.type = t
    i.hash = hsh
    return i


def transactions():
    coinbase = CMutableTransaction(
        [CTxIn(COutPoint(), CScript(b"\x01\x65\x00"), 0xFFFFFFFF)],
        [CTxOut(5000000000, CScript(b"\x51"))],
        0,
        2,
    )
    segwit = CMutableTransaction(
        [CTxIn(COutPoint(h(20), 1), CScript(b""), 0xFFFFFFFD)],
        [CTxOut(4999990000, CScript(b"\x00\x14" + bytes(range(20)))), CTxOut(1000, CScript(b"\x6a\x01\x02"))],
        101,
        2,
        CTxWitness([CTxInWitness(CScriptWitness([b"\x30" * 71, b"\x02" * 33]))]),
    )
    return coinbase, segwit


def build():
    m = {}
    v = msg_version(70016)
    v.nServices = 9
    v.nTime = 1700000000
    v.addrTo = address(0, 0, "127.0.0.1", 18444)
    v.addrFrom = address(0, 9, "::", 0)
    v.nNonce = 0x0102030405060708
    v.strSubVer = b"/python-bitcoinlib:0.11.2/"
    v.nStartingHeight = 123
    v.fRelay = True
    m["version"] = v
    m["verack"] = msg_verack()
    m["ping"] = msg_ping(nonce=0x1122334455667788)
    m["pong"] = msg_pong(nonce=0x1122334455667788)
    a = msg_addr()
    a.addrs = [address(1700000001, 1033, "10.0.0.1", 8333), address(1700000002, 9, "2001:db8::1", 18444)]
    m["addr"] = a
    i = msg_inv()
    i.inv = [inv(1, h(1)), inv(2, h(2)), inv(0x40000001, h(3)), inv(5, h(4))]
    m["inv"] = i
    g = msg_getdata()
    g.inv = [inv(0x40000002, h(5)), inv(4, h(6))]
    m["getdata"] = g
    nf = msg_notfound()
    nf.inv = [inv(1, h(7))]
    m["notfound"] = nf
    gh = msg_getheaders(70016)
    gh.locator.nVersion = 70016  # the library's default is its own PROTO_VERSION, 60002
    gh.locator.vHave = [h(8), h(9)]
    gh.hashstop = b"\x00" * 32
    m["getheaders"] = gh
    gb = msg_getblocks(70016)
    gb.locator.nVersion = 70016
    gb.locator.vHave = [h(10)]
    gb.hashstop = h(11)
    m["getblocks"] = gb
    coinbase, segwit = transactions()
    blk = CBlock(0x20000000, h(12), b"\x00" * 32, 1700000100, 0x207FFFFF, 7, [coinbase, segwit])
    b = msg_block()
    b.block = blk
    m["block"] = b
    hd = msg_headers_core()
    hd.headers = [blk, CBlock(1, h(13), h(14), 1700000200, 0x207FFFFF, 8)]
    m["headers"] = hd
    hb = msg_headers()
    hb.headers = [blk.get_header()]
    m["headers_bitcoinlib"] = hb
    t = msg_tx()
    t.tx = segwit
    m["tx"] = t
    m["getaddr"] = msg_getaddr()
    m["mempool"] = msg_mempool()
    return m


def fields(msg):
    c = msg.command.decode()
    if c == "version":
        return {
            "version": msg.nVersion,
            "services": msg.nServices,
            "time": msg.nTime,
            "addrTo": [msg.addrTo.nServices, msg.addrTo.ip, msg.addrTo.port],
            "addrFrom": [msg.addrFrom.nServices, msg.addrFrom.ip, msg.addrFrom.port],
            "nonce": str(msg.nNonce),
            "userAgent": msg.strSubVer.decode("latin-1"),
            "startHeight": msg.nStartingHeight,
            "relay": bool(msg.fRelay),
        }
    if c in ("ping", "pong"):
        return {"nonce": str(msg.nonce)}
    if c == "addr":
        return {"addrs": [[a.nTime, a.nServices, a.ip, a.port] for a in msg.addrs]}
    if c in ("inv", "getdata", "notfound"):
        return {"items": [[i.type & 0xFFFFFFFF, i.hash.hex()] for i in msg.inv]}
    if c in ("getheaders", "getblocks"):
        return {"version": msg.locator.nVersion, "locator": [x.hex() for x in msg.locator.vHave],
                "hashStop": msg.hashstop.hex()}
    if c == "headers":
        return {"hashes": [hd.GetHash().hex() for hd in msg.headers]}
    if c == "block":
        return {"hash": msg.block.GetHash().hex(), "txids": [tx.GetTxid().hex() for tx in msg.block.vtx]}
    if c == "tx":
        return {"txid": msg.tx.GetTxid().hex()}
    return {}


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "encode"
    if mode == "encode":
        print(json.dumps({k: v.to_bytes().hex() for k, v in build().items()}))
        return
    if mode == "decode":
        out = {}
        for name, hx in json.load(sys.stdin).items():
            try:
                msg = MsgSerializable.from_bytes(bytes.fromhex(hx))
                if msg is None:
                    out[name] = {"error": "unknown command"}
                else:
                    out[name] = {"hex": msg.to_bytes().hex(), "fields": fields(msg)}
            except Exception as e:  # report every failure as data: the Deno test decides
                out[name] = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out))
        return
    if mode == "handshake":
        handshake(int(sys.argv[2]))
        return
    sys.exit("usage: bitcoinlib_messages.py encode|decode|handshake PORT")


def handshake(port):
    m = build()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = sock.makefile("rwb")
    f.write(m["version"].to_bytes())
    f.flush()
    received = []
    version = None
    sent_verack = False
    while True:
        msg = MsgSerializable.stream_deserialize(f)  # None for commands the library does not know
        if msg is None:
            received.append("?")
            continue
        command = msg.command.decode()
        received.append(command)
        if command == "version":
            version = fields(msg)
        if command == "verack" and not sent_verack:
            sent_verack = True
            f.write(msg_verack().to_bytes())
            f.write(m["block"].to_bytes())
            f.write(msg_ping(nonce=77).to_bytes())
            f.flush()
        if command == "pong" and msg.nonce == 77:
            break
    sock.close()
    print(json.dumps({"received": received, "version": version}))


if __name__ == "__main__":
    main()
