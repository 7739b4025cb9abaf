"""`manage.py check` refuses a relation from one context's model to another's."""

ACCOUNTS_MODEL = """
from django.db import models


class Probe(models.Model):
    name = models.CharField(max_length=10)
"""


def _plant_relation(scratch, field: str) -> None:
    scratch.append("contexts/accounts/models.py", ACCOUNTS_MODEL)
    scratch.append(
        "contexts/blog/models.py",
        f"""
from django.db import models as _models


class Leak(_models.Model):
    target = {field}
""",
    )


def test_check_passes_on_the_real_tree(scratch):
    result = scratch.manage("check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "contexts.E001" not in result.stdout + result.stderr


def test_a_foreign_key_given_as_a_string_across_contexts_fails_the_check(scratch):
    _plant_relation(scratch, '_models.ForeignKey("accounts.Probe", on_delete=_models.CASCADE)')

    result = scratch.manage("check")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "contexts.E001" in output
    assert "blog.Leak.target relates context 'blog' to context 'accounts'" in output


def test_a_one_to_one_across_contexts_fails_the_check(scratch):
    _plant_relation(scratch, '_models.OneToOneField("accounts.Probe", on_delete=_models.CASCADE)')

    result = scratch.manage("check")

    assert result.returncode != 0
    assert "contexts.E001" in result.stdout + result.stderr


def test_a_many_to_many_to_a_framework_model_fails_the_check(scratch):
    _plant_relation(scratch, '_models.ManyToManyField("auth.User")')

    result = scratch.manage("check")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "relates context 'blog' to context 'default'" in output
