"""hookport.registry: registration, lookup through scopes, dotted paths, building."""
import sys
import textwrap

import pytest

from hookport.errors import RegistryError
from hookport.registry import Registry, apply_custom_imports, build_from_cfg


class Widget:
    def __init__(self, size=1, colour="red"):
        self.size, self.colour = size, colour


def test_register_and_build_with_defaults():
    reg = Registry("widget")
    reg.register_module(module=Widget)
    obj = reg.build(dict(type="Widget", size=3), default_args=dict(colour="blue", size=9))
    assert (obj.size, obj.colour) == (3, "blue")
    assert build_from_cfg(dict(type=Widget), reg).size == 1


def test_decorator_and_alias_names():
    reg = Registry("widget")

    @reg.register_module(name=["Gadget", "Gizmo"])
    class Gadget:
        pass

    assert reg.get("Gizmo") is Gadget and reg.get("Gadget") is Gadget


def test_duplicate_registration_needs_force():
    reg = Registry("widget")
    reg.register_module(module=Widget)

    class Widget2:
        pass

    with pytest.raises(RegistryError, match="already registered"):
        reg.register_module(name="Widget", module=Widget2)
    reg.register_module(name="Widget", module=Widget2, force=True)
    assert reg.get("Widget") is Widget2


def test_unknown_type_lists_close_matches():
    reg = Registry("widget")
    reg.register_module(module=Widget)
    with pytest.raises(RegistryError) as info:
        reg.get("Widgte")
    assert "unknown widget type 'Widgte'" in str(info.value)
    assert "did you mean 'Widget'" in str(info.value)


def test_missing_type_key():
    with pytest.raises(RegistryError, match="needs a 'type' key"):
        Registry("widget").build(dict(size=1))


def test_bad_kwargs_name_the_class():
    reg = Registry("widget")
    reg.register_module(module=Widget)
    with pytest.raises(RegistryError, match="cannot build widget .*Widget.*unexpected keyword"):
        reg.build(dict(type="Widget", nonsense=1))


def test_scopes_child_parent_and_ambiguity():
    root = Registry("hook")
    a = Registry("hook", parent=root, scope="a")
    b = Registry("hook", parent=root, scope="b")

    class Base:
        pass

    class OnlyA:
        pass

    class SameA:
        pass

    class SameB:
        pass

    root.register_module(module=Base)
    a.register_module(module=OnlyA)
    a.register_module(name="Same", module=SameA)
    b.register_module(name="Same", module=SameB)
    assert a.get("Base") is Base  # parent visible from child
    assert root.get("OnlyA") is OnlyA  # unique child entry visible from root
    assert a.get("Same") is SameA and b.get("Same") is SameB  # own scope first
    with pytest.raises(RegistryError, match="ambiguous"):
        root.get("Same")
    assert root.get("b.Same") is SameB


def test_dotted_path_and_custom_imports(tmp_path, monkeypatch):
    pkg = tmp_path / "userpkg_hp"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "things.py").write_text(textwrap.dedent("""
        from hookport.registry import Registry
        LOCAL = Registry('local')

        class Thing:
            def __init__(self, n=0):
                self.n = n
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry("thing")
    assert reg.build(dict(type="userpkg_hp.things.Thing", n=4)).n == 4
    mods = apply_custom_imports(dict(custom_imports=dict(imports=["userpkg_hp.things"])))
    assert mods[0].__name__ == "userpkg_hp.things"
    with pytest.raises(RegistryError, match="cannot import 'userpkg_hp.nope'"):
        apply_custom_imports(dict(custom_imports=dict(imports=["userpkg_hp.nope"])))
    with pytest.warns(UserWarning, match="failed to import"):
        assert apply_custom_imports(dict(custom_imports=dict(imports="userpkg_hp.nope",
                                                             allow_failed_imports=True))) == []
    sys.modules.pop("userpkg_hp.things", None)
    sys.modules.pop("userpkg_hp", None)


def test_locations_imported_lazily_on_first_miss(tmp_path, monkeypatch):
    (tmp_path / "lazy_builtins_hp.py").write_text(textwrap.dedent(f"""
        import sys
        LAZY = sys.modules[{__name__!r}].LAZY
        @LAZY.register_module()
        class LazyThing:
            pass
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    LAZY.add_location("lazy_builtins_hp")
    assert "lazy_builtins_hp" not in sys.modules
    assert LAZY.get("LazyThing").__name__ == "LazyThing"
    assert "lazy_builtins_hp" in sys.modules


LAZY = Registry("lazy")
