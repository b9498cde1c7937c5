#!/usr/bin/env python3
"""Benchmarks and crash check for `compliance watch`, per change source.

  latency     p50/p99 from writing a 4 KiB file to its finding being committed (the --events line is written
              after the batch's transaction commits), one file at a time on an idle tree.
  throughput  files written as fast as this process can, then the time until the last one is stored;
              every path must be reported once (nothing lost).
  crash       SIGKILL in the middle of a storm, restart, settle: the store's observed drift must equal what a
              fresh `compliance check` stores from a copy of the baseline database.

Usage: watch-bench.py CLI... [--sources fanotify,inotify] [--coalesce-ms 0,200] [--files 20000] [--samples 200]
where CLI is how to run compliance, e.g. `dotnet /tmp/art/bin/Compliance.Cli/release/compliance.dll`.
"""
import argparse, json, os, queue, shutil, signal, sqlite3, subprocess, sys, tempfile, threading, time


class Watch:
    """A running `compliance watch --events -` whose lines are read on a thread and timestamped on arrival."""

    def __init__(self, cli, db, source, coalesce_ms):
        self.process = subprocess.Popen(
            cli + ["watch", "--db", db, "--source", source, "--events", "-", "--coalesce-ms", str(coalesce_ms),
                   "--reconcile-minutes", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put((time.monotonic(), json.loads(line)))

    def wait_for(self, path, timeout=300):
        """Arrival time of the first line for path; lines for other paths are passed to seen()."""
        deadline = time.monotonic() + timeout
        while True:
            arrived, event = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            self.seen(event)
            if event.get("path") == path:
                return arrived

    def seen(self, event):
        pass

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        code = self.process.wait(timeout=120)
        return code, self.process.stderr.read()


def write_file(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data)
    os.close(fd)


def workspace(cli, baseline_files):
    top = tempfile.mkdtemp(prefix="watch-bench-")
    tree = os.path.join(top, "tree")
    os.makedirs(os.path.join(tree, "base"))
    for i in range(baseline_files):
        write_file(os.path.join(tree, "base", f"f{i:06d}"), b"baseline\n")
    db = os.path.join(top, "state.db")
    subprocess.run(cli + ["baseline", "--db", db, tree], check=True, stdout=subprocess.DEVNULL)
    shutil.copy(db, os.path.join(top, "baseline-copy.db"))
    return top, tree, db


settle_count = 0


def settle(watch, tree):
    global settle_count
    settle_count += 1
    marker = os.path.join(tree, f"settle-{settle_count}")
    write_file(marker, b"settle")
    return watch.wait_for(marker)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(cli, source, coalesce_ms, samples):
    top, tree, db = workspace(cli, 100)
    watch = Watch(cli, db, source, coalesce_ms)
    try:
        settle(watch, tree)
        os.makedirs(os.path.join(tree, "latency"))
        settle(watch, tree)
        block = os.urandom(4096)
        results = []
        for i in range(samples):
            path = os.path.join(tree, "latency", f"l{i:05d}")
            start = time.monotonic()
            write_file(path, block)
            results.append((watch.wait_for(path) - start) * 1000)
            time.sleep(0.02)
        code, _ = watch.stop()
        print(f"{source:8} coalesce {coalesce_ms:3} ms  latency p50 {percentile(results, 50):7.1f} ms  p99 {percentile(results, 99):7.1f} ms  max {max(results):7.1f} ms  ({samples} samples, exit {code})")
    finally:
        shutil.rmtree(top)


def throughput(cli, source, coalesce_ms, files):
    top, tree, db = workspace(cli, 100)
    watch = Watch(cli, db, source, coalesce_ms)
    reported = set()
    watch.seen = lambda event: reported.add(event.get("path"))
    try:
        settle(watch, tree)
        directories = 20
        for d in range(directories):
            os.makedirs(os.path.join(tree, "storm", f"d{d:02d}"))
        settle(watch, tree)
        data = b"x" * 64
        start = time.monotonic()
        paths = [os.path.join(tree, "storm", f"d{i % directories:02d}", f"s{i:06d}") for i in range(files)]
        for path in paths:
            write_file(path, data)
        written = time.monotonic() - start
        stored = settle(watch, tree) - start
        lost = [p for p in paths if p not in reported]
        code, _ = watch.stop()
        print(f"{source:8} coalesce {coalesce_ms:3} ms  {files} files written in {written:5.2f} s ({files / written:6.0f}/s), "
              f"all stored after {stored:5.2f} s: {files / stored:6.0f} changes/s; lost {len(lost)} (exit {code})")
    finally:
        shutil.rmtree(top)


def observed(db):
    connection = sqlite3.connect(db)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(observed)") if row[1] not in ("observed_at", "run_id")]
    rows = connection.execute(f"SELECT {', '.join(columns)} FROM observed ORDER BY walk_key").fetchall()
    connection.close()
    return rows


def crash(cli, source, files):
    top, tree, db = workspace(cli, files // 2)
    try:
        watch = Watch(cli, db, source, 200)
        settle(watch, tree)
        os.makedirs(os.path.join(tree, "storm"))
        killer = threading.Timer(0.5, lambda: watch.process.kill())
        killer.start()
        for i in range(files):
            write_file(os.path.join(tree, "storm", f"s{i:06d}"), b"x")
            if i < files // 2:
                with open(os.path.join(tree, "base", f"f{i:06d}"), "ab") as f:
                    f.write(b"changed\n")
        killer.join()
        watch.process.wait()
        restarted = Watch(cli, db, source, 200)
        settle(restarted, tree)
        code, _ = restarted.stop()
        fresh = os.path.join(top, "baseline-copy.db")
        subprocess.run(cli + ["check", "--db", fresh], stdout=subprocess.DEVNULL)
        watched, scanned = observed(db), observed(fresh)
        verdict = "EQUAL" if watched == scanned else f"DIFFERENT ({len(watched)} watched rows, {len(scanned)} scanned)"
        print(f"{source:8} SIGKILL during a storm of {files} files, restart: store vs fresh check {verdict} (exit {code})")
        return watched == scanned
    finally:
        shutil.rmtree(top)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cli", nargs="+")
    parser.add_argument("--sources", default="fanotify,inotify")
    parser.add_argument("--coalesce-ms", default="0,200")
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--only", choices=["latency", "throughput", "crash"])
    args = parser.parse_args()
    ok = True
    for source in args.sources.split(","):
        for coalesce in map(int, args.coalesce_ms.split(",")):
            if args.only in (None, "latency"):
                latency(args.cli, source, coalesce, args.samples)
            if args.only in (None, "throughput"):
                throughput(args.cli, source, coalesce, args.files)
        if args.only in (None, "crash"):
            ok &= crash(args.cli, source, args.files)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
