#!/usr/bin/python3
"""TLS identity figures (issue 6); prints, never fails on a number.

Boots keel.selftest, whose mgmt_cert self-test generates two ECDSA P-256
keys with self-signed certificates (mgmt/cert.c) and hashes one
into a thumbprint, logging TSC ticks for each. Once with -icount shift=0
(a TSC tick is one instruction: figures in instructions) and once without
(TCG wall time, from the guest's calibrated clock).
Usage: bench/cert.py   (after ./build.sh)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

TICKS = r"^bench: mgmt_cert generate (\d+) and (\d+) TSC ticks, thumbprint (\d+)$"
SUMMARY = (r"^mgmt_cert: P-256 key \+ certificate \((\d+)\+(\d+) bytes\) in (\d+) ms, "
           r"entropy (\S+),")
TSC = r"^time: TSC (\d+)\.(\d{3}) MHz"


def run(icount):
    with Qemu("bench-cert") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", disk="ide", mem=512,
                extra=["-nic", "none"] + (["-icount", "shift=0"] if icount else []))
        text = m.wait_exit([r"^selftest: \d+ passed"], 300)
        ticks = [int(x) for x in re.search(TICKS, text, re.M).groups()]
        summary = re.search(SUMMARY, text, re.M).groups()
        khz = re.search(TSC, text, re.M)
        khz = int(khz.group(1)) * 1000 + int(khz.group(2)) if khz else None
        return ticks, summary, khz


def main():
    (g1, g2, tp), summary, _ = run(icount=True)
    print("cert: key+certificate generation %d and %d instructions (%.1f M avg), "
          "key %s bytes DER, certificate %s bytes DER"
          % (g1, g2, (g1 + g2) / 2e6, summary[0], summary[1]))
    print("cert: SHA-256 thumbprint of the certificate: %d instructions" % tp)
    print("cert: seed from %s" % summary[3])
    (g1, g2, tp), summary, khz = run(icount=False)
    if khz:
        print("cert: key+certificate generation %.1f and %.1f ms wall under "
              "QEMU TCG; thumbprint %.1f us"
              % (g1 / khz, g2 / khz, tp * 1000.0 / khz))
    else:
        print("cert: key+certificate generation %s ms wall under QEMU TCG"
              % summary[2])


main()
