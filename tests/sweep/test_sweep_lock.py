"""The sweep lock is one per datastore, whatever path leads to the datastore."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.sweep.lock import sweep_lock


def test_second_lock_on_the_same_path_is_refused(tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    with sweep_lock(ds):
        with pytest.raises(UsageError, match="in use by another sweep"):
            with sweep_lock(ds):
                pass
    with sweep_lock(ds):  # released when the holder leaves
        pass


@pytest.mark.parametrize("how", ["file-link", "folder-link", "relative"])
def test_lock_holds_through_a_symlink_or_another_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          how: str) -> None:
    real_dir = tmp_path / "data"
    real_dir.mkdir()
    ds = real_dir / "ds.sqlite"
    ds.write_bytes(b"")
    if how == "file-link":
        other = tmp_path / "link.sqlite"
        other.symlink_to(ds)
    elif how == "folder-link":
        (tmp_path / "alias").symlink_to(real_dir, target_is_directory=True)
        other = tmp_path / "alias" / "ds.sqlite"
    else:
        monkeypatch.chdir(tmp_path)
        other = Path("data/../data/ds.sqlite")
    with sweep_lock(ds):
        with pytest.raises(UsageError, match="in use by another sweep"):
            with sweep_lock(other):
                pass
    with sweep_lock(other):  # and the other way round
        with pytest.raises(UsageError):
            with sweep_lock(ds):
                pass
    assert sorted(p.name for p in real_dir.iterdir()) == ["ds.sqlite", "ds.sqlite.lock"]
    assert not (tmp_path / "link.sqlite.lock").exists()
