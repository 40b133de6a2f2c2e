"""``credsprawl sweep --scheduler``: the same tasks on a Dask distributed cluster give the same datastore
as the local pool. The cluster is a real LocalCluster with two worker processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scanner.report.datastore import load_finding_objects
from scanner.store.db import Store
from sweeputil import make_org, sweep

distributed = pytest.importorskip("distributed")


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_results_as_the_local_pool(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    listing = str(org.list_file())
    local = sweep(listing, datastore=tmp_path / "local.sqlite")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = sweep(listing, "--scheduler", cluster.scheduler_address, datastore=tmp_path / "dask.sqlite")
        assert dask.code == local.code == 1, dask.stderr
        assert dask.events[0]["executor"] == "dask"
        assert dask.summary["blobs_scanned"] == local.summary["blobs_scanned"]
        assert load_finding_objects(tmp_path / "dask.sqlite") == load_finding_objects(tmp_path / "local.sqlite")
        # incremental on the cluster too: nothing new, nothing scanned
        again = sweep(listing, "--scheduler", cluster.scheduler_address, datastore=tmp_path / "dask.sqlite")
        assert again.summary["blobs_scanned"] == 0 and again.summary["unchanged"] == 3
    with Store(tmp_path / "dask.sqlite") as a, Store(tmp_path / "local.sqlite") as b:
        assert a.counts()["blobs"] == b.counts()["blobs"]


def test_without_the_extra_scheduler_is_a_clear_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    org = make_org(tmp_path / "org")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if credsprawl[distributed] were not installed
    run = sweep(str(org.list_file()), "--scheduler", "tcp://127.0.0.1:8786", datastore=tmp_path / "ds.sqlite")
    assert run.code == 2
    assert "pip install 'credsprawl[distributed]'" in run.stderr and run.stderr.count("\n") == 1


def test_jobs_and_scheduler_do_not_mix(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    from gitutil import cli_inprocess

    code, _, err = cli_inprocess("sweep", str(org.list_file()), "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2",
                                 "--datastore", str(tmp_path / "ds.sqlite"))
    assert code == 2 and "drop --jobs" in err
