#!/usr/bin/env python3
"""tests/kvm/mkimage.py - makes bad guest images from a good one.

    mkimage.py GOOD OUT KIND     one named defect (see DEFECTS)
    mkimage.py GOOD DIR fuzz N   N randomly corrupted copies DIR/fuzz-*.elf

Each defect is a small, targeted edit of the ELF header, a program header
or the manifest note, so the tender's refusal message can be checked.
"""
import random
import struct
import sys

EHDR_PHOFF, EHDR_PHNUM, PHDR_SIZE = 32, 56, 56


def phdrs(b):
    phoff = struct.unpack_from("<Q", b, EHDR_PHOFF)[0]
    phnum = struct.unpack_from("<H", b, EHDR_PHNUM)[0]
    return [phoff + i * PHDR_SIZE for i in range(phnum)]


def loads(b):
    return [o for o in phdrs(b) if struct.unpack_from("<I", b, o)[0] == 1]


def set_q(b, off, v):
    struct.pack_into("<Q", b, off, v)


def field(name):
    # offsets inside an Elf64_Phdr
    return {"flags": 4, "offset": 8, "vaddr": 16, "paddr": 24,
            "filesz": 32, "memsz": 40}[name]


def defect(b, kind):
    L = loads(b)
    if kind == "not-elf":
        return bytearray(b"#!/bin/sh\necho this is not a kernel\n")
    if kind == "truncated-header":
        return b[:40]
    if kind == "truncated-phdrs":
        return b[:100]
    if kind == "truncated-data":
        return b[:struct.unpack_from("<Q", b, L[1] + 8)[0] + 16]
    if kind == "elf32":
        b[4] = 1
    elif kind == "big-endian":
        b[5] = 2
    elif kind == "machine":
        struct.pack_into("<H", b, 18, 183)  # EM_AARCH64
    elif kind == "dyn":
        struct.pack_into("<H", b, 16, 3)  # ET_DYN
    elif kind == "phoff":
        set_q(b, EHDR_PHOFF, 1 << 40)
    elif kind == "wx":
        struct.pack_into("<I", b, L[0] + field("flags"), 7)
    elif kind == "outside":
        set_q(b, L[2] + field("vaddr"), 0x40000000)
    elif kind == "wrap":
        set_q(b, L[2] + field("vaddr"), 0xfffffffffffff000)
    elif kind == "bigbss":
        set_q(b, L[2] + field("memsz"), 3 << 20)
    elif kind == "low":
        set_q(b, L[1] + field("vaddr"), 0x1000)
    elif kind == "overlap":
        v0 = struct.unpack_from("<Q", b, L[0] + field("vaddr"))[0]
        set_q(b, L[1] + field("vaddr"), v0 + 0x10)
    elif kind == "filesz":
        m = struct.unpack_from("<Q", b, L[1] + field("memsz"))[0]
        set_q(b, L[1] + field("filesz"), m + 1)
    elif kind == "entry":
        v2 = struct.unpack_from("<Q", b, L[1] + field("vaddr"))[0]
        set_q(b, 24, v2)  # entry in the non-executable rodata
    elif kind in ("no-manifest", "manifest-name", "manifest-version"):
        i = b.find(b"ATOLL\0\0\0")
        assert i > 12
        if kind == "no-manifest":
            struct.pack_into("<I", b, i - 4, 0x1234)  # note type
        elif kind == "manifest-version":
            struct.pack_into("<I", b, i + 8, 99)
        else:  # first device name gets a space
            b[i + 8 + 8 + 4] = ord(" ")
    else:
        sys.exit("unknown defect " + kind)
    return b


def fuzz(good, outdir, n):
    rnd = random.Random(1234)  # reproducible
    hdr_end = max(phdrs(good)) + PHDR_SIZE
    note = good.find(b"ATOLL\0\0\0")
    for k in range(n):
        b = bytearray(good)
        r = rnd.random()
        if r < 0.25:
            b = b[: rnd.randrange(len(b))]
        else:
            for _ in range(rnd.randint(1, 4)):
                if rnd.random() < 0.7:
                    pos = rnd.randrange(hdr_end)
                else:
                    pos = note - 12 + rnd.randrange(48)
                if rnd.random() < 0.5:
                    b[pos] = rnd.randrange(256)
                else:
                    b[pos] ^= 1 << rnd.randrange(8)
        with open("%s/fuzz-%03d.elf" % (outdir, k), "wb") as f:
            f.write(b)


def main():
    good = bytearray(open(sys.argv[1], "rb").read())
    if sys.argv[3] == "fuzz":
        fuzz(good, sys.argv[2], int(sys.argv[4]))
        return
    with open(sys.argv[2], "wb") as f:
        f.write(defect(good, sys.argv[3]))


main()
