"""Kill-and-resume ends bit-identical to an uninterrupted run (epoch- and iteration-based)."""
import os
import subprocess
import sys

import torch

from hookport.runner.checkpoint import find_latest_checkpoint, load_checkpoint_file
from tests.runner.base import RunnerTestCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "fixtures", "mmengine", "toy_classifier.py")


def _run_cli(work_dir, *extra):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "hookport", "run", FIXTURE, "--work-dir", work_dir, *extra],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def assert_same_state(test, a, b):
    """Model weights, optimizer state, scheduler and EMA state are bit-identical."""
    test.assertEqual(a["meta"]["epoch"], b["meta"]["epoch"])
    test.assertEqual(a["meta"]["iter"], b["meta"]["iter"])
    for key in ("state_dict", "ema_state_dict"):
        if key in a or key in b:
            test.assertEqual(a[key].keys(), b[key].keys())
            for name in a[key]:
                test.assertTrue(torch.equal(a[key][name], b[key][name]), f"{key}.{name} differs")
    test.assertEqual(a.get("param_schedulers"), b.get("param_schedulers"))
    sa, sb = a["optimizer"]["state"], b["optimizer"]["state"]
    test.assertEqual(sa.keys(), sb.keys())
    for index in sa:
        for name, value in sa[index].items():
            test.assertTrue(torch.equal(torch.as_tensor(value), torch.as_tensor(sb[index][name])))
    test.assertEqual(a["optimizer"]["param_groups"], b["optimizer"]["param_groups"])


class TestResume(RunnerTestCase):
    def test_sigkill_after_epoch_2_then_resume_matches_uninterrupted_run(self):
        full = os.path.join(self.temp_dir, "full")
        killed = os.path.join(self.temp_dir, "killed")
        done = _run_cli(full)
        self.assertEqual(done.returncode, 0, done.stderr)
        crash = _run_cli(killed, "--cfg-options",
                         "custom_hooks=[{'type': 'EMAHook', 'momentum': 0.2, 'priority': 'ABOVE_NORMAL'}, "
                         "{'type': 'tests.runner.helpers.KillHook', 'at_epoch': 2}]")
        self.assertEqual(crash.returncode, -9, crash.stderr)
        self.assertEqual(os.path.basename(find_latest_checkpoint(killed)), "epoch_2.pth")
        self.assertFalse(os.path.exists(os.path.join(killed, "epoch_3.pth")))
        resumed = _run_cli(killed, "--resume")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn("resumed from", resumed.stdout)
        assert_same_state(self, load_checkpoint_file(os.path.join(full, "epoch_3.pth")),
                          load_checkpoint_file(os.path.join(killed, "epoch_3.pth")))

    def test_iter_based_interrupt_and_resume_matches(self):
        from tests.runner.helpers import StopAtIter

        full_dir = os.path.join(self.temp_dir, "full")
        runner = self.build_runner(self.iter_based_cfg(work_dir=full_dir))
        runner.train()
        part_dir = os.path.join(self.temp_dir, "part")
        runner = self.build_runner(self.iter_based_cfg(work_dir=part_dir, custom_hooks=[StopAtIter(8)]))
        with self.assertRaises(KeyboardInterrupt):
            runner.train()
        self.assertEqual(os.path.basename(find_latest_checkpoint(part_dir)), "iter_8.pth")
        runner = self.build_runner(self.iter_based_cfg(work_dir=part_dir, resume=True))
        runner.train()
        self.assertEqual(runner.iter, 12)
        assert_same_state(self, load_checkpoint_file(os.path.join(full_dir, "iter_12.pth")),
                          load_checkpoint_file(os.path.join(part_dir, "iter_12.pth")))

    def test_resume_with_explicit_checkpoint_path_and_load_from(self):
        runner = self.build_runner(self.epoch_based_cfg())
        runner.train()
        first = os.path.join(self.temp_dir, "epoch_1.pth")
        runner = self.build_runner(self.epoch_based_cfg(work_dir=os.path.join(self.temp_dir, "b"),
                                                        resume=True, load_from=first))
        runner.train()
        self.assertEqual(runner.epoch, 2)
        runner = self.build_runner(self.epoch_based_cfg(work_dir=os.path.join(self.temp_dir, "c"),
                                                        load_from=first, train_cfg=dict(by_epoch=True,
                                                                                          max_epochs=1)))
        runner.train()  # load_from loads weights only: training restarts at epoch 0
        self.assertEqual(runner.epoch, 1)

    def test_epoch_based_resume_from_a_mid_epoch_checkpoint_runs_only_the_rest(self):
        from tests.runner.helpers import RecordingHook, StopAtIter

        ckpt_every_3 = dict(checkpoint=dict(type="CheckpointHook", interval=3, by_epoch=False),
                            logger=dict(type="LoggerHook", interval=1))
        full_dir = os.path.join(self.temp_dir, "full")
        self.build_runner(self.epoch_based_cfg(work_dir=full_dir, default_hooks=ckpt_every_3)).train()
        part_dir = os.path.join(self.temp_dir, "part")
        runner = self.build_runner(self.epoch_based_cfg(work_dir=part_dir, default_hooks=ckpt_every_3,
                                                        custom_hooks=[StopAtIter(6)]))
        with self.assertRaises(KeyboardInterrupt):
            runner.train()
        log = []
        runner = self.build_runner(self.epoch_based_cfg(work_dir=part_dir, default_hooks=ckpt_every_3, resume=True,
                                                        custom_hooks=[RecordingHook(log)]))
        runner.train()
        trained = [entry[2:] for entry in log if entry[0] == "after_train_iter"]
        self.assertEqual(trained, [(6, 2), (7, 3)])  # (iter, batch_idx): only the rest of epoch 2
        # save_last wrote iter_8.pth at the end of both runs
        assert_same_state(self, load_checkpoint_file(os.path.join(full_dir, "iter_8.pth")),
                          load_checkpoint_file(os.path.join(part_dir, "iter_8.pth")))


class TestResumeWithRandomness(RunnerTestCase):
    """A model with dropout: the checkpoint carries the random generators' states."""

    def _interrupted_equals_full(self, make_cfg, stopper, final_name):
        full_dir = os.path.join(self.temp_dir, "full")
        self.build_runner(make_cfg(work_dir=full_dir)).train()
        part_dir = os.path.join(self.temp_dir, "part")
        with self.assertRaises(KeyboardInterrupt):
            self.build_runner(make_cfg(work_dir=part_dir, custom_hooks=[stopper])).train()
        self.build_runner(make_cfg(work_dir=part_dir, resume=True)).train()
        assert_same_state(self, load_checkpoint_file(os.path.join(full_dir, final_name)),
                          load_checkpoint_file(os.path.join(part_dir, final_name)))

    def test_epoch_boundary(self):
        from tests.runner.helpers import StopAtEpoch

        def make_cfg(**kw):
            return self.epoch_based_cfg(model=dict(type="ToyClassifier", dropout=0.5),
                                        train_cfg=dict(by_epoch=True, max_epochs=3), **kw)

        self._interrupted_equals_full(make_cfg, StopAtEpoch(1), "epoch_3.pth")

    def test_iteration_checkpoint(self):
        from tests.runner.helpers import StopAtIter

        def make_cfg(**kw):
            return self.iter_based_cfg(model=dict(type="ToyClassifier", dropout=0.5), **kw)

        self._interrupted_equals_full(make_cfg, StopAtIter(8), "iter_12.pth")

    def test_without_restoring_the_generators_the_runs_differ(self):
        """Guards the test above: dropout really makes the end state depend on the random stream."""
        from tests.runner.helpers import StopAtEpoch

        def make_cfg(**kw):
            return self.epoch_based_cfg(model=dict(type="ToyClassifier", dropout=0.5),
                                        train_cfg=dict(by_epoch=True, max_epochs=3), **kw)

        full_dir = os.path.join(self.temp_dir, "full")
        self.build_runner(make_cfg(work_dir=full_dir)).train()
        part_dir = os.path.join(self.temp_dir, "part")
        with self.assertRaises(KeyboardInterrupt):
            self.build_runner(make_cfg(work_dir=part_dir, custom_hooks=[StopAtEpoch(1)])).train()
        runner = self.build_runner(make_cfg(work_dir=part_dir, resume=True))
        runner.restore_rng_state = lambda: None  # simulate MMEngine, which does not save generator states
        runner.train()
        a = load_checkpoint_file(os.path.join(full_dir, "epoch_3.pth"))["state_dict"]
        b = load_checkpoint_file(os.path.join(part_dir, "epoch_3.pth"))["state_dict"]
        self.assertFalse(all(torch.equal(a[k], b[k]) for k in a))
