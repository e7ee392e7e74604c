"""Output -> input line alignment used by the report (kept, rewritten, added lines; TODOs)."""
from hookport.converters.codemod.line_map import input_lines, todo_origins


def test_kept_lines_pair_exactly_and_added_lines_belong_to_the_next_input_line():
    source = ["a = 1", "b = 2", "c = 3"]
    output = ["import x", "a = 1", "# new", "b = 2", "c = 3"]
    assert input_lines(source, output) == [1, 1, 2, 2, 3]


def test_a_line_rewritten_into_several_pairs_each_with_its_most_similar_input_line():
    source = ["def f(self, runner):", "    runner.log_buffer.update({'a': 1, 'b': 2})", "    return 1"]
    output = ["def f(self,", "      runner,", "      batch_idx):", "    runner.message_hub.update_scalar('train/a', 1)",
              "    runner.message_hub.update_scalar('train/b', 2)", "    return 1"]
    assert input_lines(source, output) == [1, 1, 1, 2, 2, 3]


def test_a_todo_reports_the_construct_below_it_and_a_trailing_todo_its_own_line():
    source = "x = 1\nif runner.meta:\n    pass\nimport mmcv.runner\n"
    output = ("x = 1\n# TODO(hookport HP902): no meta\n# TODO(hookport HP903): other\nif runner.meta:\n    pass\n"
              "import mmcv.runner  # TODO(hookport HP901): by hand\n")
    assert todo_origins(source, output, [2, 3, 6]) == [2, 2, 4]
