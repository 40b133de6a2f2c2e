"""History's blob batches: each file's versions together and in order (so each is scanned by its change
since the one before), but no file more than an eighth of the work in one batch, and the largest
batches handed out first, so a pool's workers run out of work together."""

from __future__ import annotations

from scanner.pipeline.blobs import BlobTask, batches


def _history(files: dict[str, tuple[int, int]]) -> tuple[list[BlobTask], dict[str, str]]:
    """Tasks in walk order for files edited ``n`` times (versions of ``size`` bytes), interleaved as a
    walk meets them, and each version's predecessor."""
    tasks: list[BlobTask] = []
    preds: dict[str, str] = {}
    longest = max(n for n, _ in files.values())
    for i in range(longest):
        for path, (n, size) in files.items():
            if i < n:
                sha = f"{path}-{i}"
                tasks.append(BlobTask(sha, size, path))
                if i:
                    preds[sha] = f"{path}-{i - 1}"
    return tasks, preds


def test_a_busy_file_is_split_and_the_largest_batches_come_first() -> None:
    # one file edited 1,000 times holds most of the bytes, as in a busy project's history
    tasks, preds = _history({"busy.py": (1000, 200_000), **{f"f{i}.py": (20, 30_000) for i in range(40)}})
    out = batches(tasks, preds)
    total = sum(t.size for t in tasks)
    sizes = [sum(t.size for t in b) for b in out]
    assert sizes == sorted(sizes, reverse=True)
    assert max(sizes) <= total // 8 + 200_000
    assert sorted(t.sha for b in out for t in b) == sorted(t.sha for t in tasks)
    busy = [b for b in out if any(t.path == "busy.py" for t in b)]
    assert len(busy) >= 8
    for batch in out:
        seen: set[str] = set()
        for t in batch:
            # a version's predecessor is named when it is earlier in the same batch, and only then
            assert t.pred == (preds.get(t.sha, "") if preds.get(t.sha, "") in seen else "")
            seen.add(t.sha)
    # versions of a file stay in walk order, each batch but the first of a file starting where the
    # one before stopped
    firsts = [next(t for t in b if t.path == "busy.py") for b in busy]
    assert min(int(t.sha.split("-")[1]) for t in firsts) == 0 and all(t.pred == "" for t in firsts)
    assert sum(1 for b in busy for t in b if t.path == "busy.py" and t.pred) == 1000 - len(busy)


def test_small_histories_keep_files_whole() -> None:
    tasks, preds = _history({f"f{i}.py": (30, 2_000) for i in range(10)})
    out = batches(tasks, preds)
    for batch in out:
        paths = {t.path for t in batch}
        for path in paths:
            versions = [t for t in batch if t.path == path]
            assert len(versions) == 30  # every version of the file in this one batch
            assert [t.pred for t in versions][1:] == [f"{path}-{i}" for i in range(29)]
