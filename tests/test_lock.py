"""`folder_lock`: one writer per output folder, a clear refusal, waiting, stale locks taken over."""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from handouts.deliver.lock import LOCK_NAME, folder_lock
from handouts.errors import FolderBusyError, HandoutError, UsageError

HOLD = textwrap.dedent("""
    import sys, time
    from handouts.deliver.lock import folder_lock
    with folder_lock(sys.argv[1], purpose="batch"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def hold_in_child(folder, seconds: float) -> subprocess.Popen:
    """Another process that takes the folder's lock and keeps it `seconds`."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


@pytest.fixture
def warnings(caplog):
    # The CLI, once run in this process, stops the handouts logger propagating to the root.
    log = logging.getLogger("handouts")
    propagate = log.propagate
    log.propagate = True
    caplog.set_level(logging.WARNING, logger="handouts")
    yield caplog
    log.propagate = propagate


def test_the_lock_file_names_its_holder_while_held_and_goes_away_after(tmp_path):
    with folder_lock(tmp_path, purpose="batch") as me:
        held = json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))
        assert held == {"pid": os.getpid(), "host": me.host, "started": me.started, "purpose": "batch"}
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_second_writer_is_refused_at_once_naming_the_first(tmp_path):
    child = hold_in_child(tmp_path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(FolderBusyError) as refused, folder_lock(tmp_path, purpose="email"):
            pytest.fail("two holders of one folder's lock")
        assert time.monotonic() - started < 1
    finally:
        child.kill()
        child.wait()
    message = str(refused.value)
    assert f"process {child.pid}" in message
    assert "since 20" in message and "UTC" in message and "batch" in message
    assert "--wait" in message
    assert len(message.splitlines()) == 1
    assert not isinstance(refused.value, UsageError)


def test_the_same_process_cannot_take_its_own_lock_twice(tmp_path):
    with folder_lock(tmp_path, purpose="batch"), pytest.raises(FolderBusyError), \
            folder_lock(tmp_path, purpose="batch"):
        pass


def test_a_waiting_writer_gets_the_lock_once_the_holder_is_done(tmp_path):
    child = hold_in_child(tmp_path, 1.0)
    held = time.monotonic()
    with folder_lock(tmp_path, purpose="batch", wait=60) as me:
        # A lower bound, not a speed goal: the other process kept the lock 1 s.
        assert time.monotonic() - held >= 0.9, "got the lock while the other process still held it"
        assert json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))["pid"] == me.pid == os.getpid()
    child.wait()


def test_a_writer_that_waited_too_long_is_refused(tmp_path):
    child = hold_in_child(tmp_path, 30)
    try:
        with pytest.raises(FolderBusyError) as refused, folder_lock(tmp_path, purpose="batch", wait=0.3):
            pass
    finally:
        child.kill()
        child.wait()
    assert "after waiting 0.3 s" in str(refused.value)


def test_the_lock_of_a_killed_holder_is_taken_over_with_a_warning(tmp_path, warnings):
    child = hold_in_child(tmp_path, 30)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))["pid"] == child.pid

    with folder_lock(tmp_path, purpose="batch"):
        pass

    taken = [r.getMessage() for r in warnings.records if "took over the lock" in r.getMessage()]
    assert len(taken) == 1 and f"process {child.pid}" in taken[0]
    assert not (tmp_path / LOCK_NAME).exists()


def test_an_uncreatable_lock_is_an_output_error_not_a_bug(tmp_path):
    (tmp_path / LOCK_NAME).mkdir()
    with pytest.raises(HandoutError) as refused, folder_lock(tmp_path, purpose="batch"):
        pass
    assert not isinstance(refused.value, UsageError)


def test_the_same_folder_through_a_symlink_is_the_same_lock(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "linked").symlink_to(folder)
    child = hold_in_child(tmp_path / "linked", 30)
    try:
        with pytest.raises(FolderBusyError) as refused, folder_lock(folder, purpose="batch"):
            pytest.fail("two holders of one folder's lock")
    finally:
        child.kill()
        child.wait()
    assert f"process {child.pid}" in str(refused.value)


def test_a_symlink_planted_at_the_lock_path_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("the clinic's notes\n", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / LOCK_NAME).symlink_to(target)
    with pytest.raises(HandoutError) as refused, folder_lock(folder, purpose="batch"):
        pytest.fail("locked through a symlink")
    assert not isinstance(refused.value, UsageError) and len(str(refused.value).splitlines()) == 1
    assert "is a symlink" in str(refused.value)
    assert target.read_text(encoding="utf-8") == "the clinic's notes\n"
    assert (folder / LOCK_NAME).is_symlink()


def test_a_fifo_at_the_lock_path_is_refused_in_one_line(tmp_path):
    os.mkfifo(tmp_path / LOCK_NAME)
    with pytest.raises(HandoutError) as refused, folder_lock(tmp_path, purpose="batch"):
        pytest.fail("locked a FIFO")
    assert not isinstance(refused.value, UsageError) and len(str(refused.value).splitlines()) == 1
    assert "FIFO" in str(refused.value)
    assert stat.S_ISFIFO(os.lstat(tmp_path / LOCK_NAME).st_mode), "left as it was"
