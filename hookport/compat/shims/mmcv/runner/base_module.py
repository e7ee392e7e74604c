"""Stand-in for ``mmcv.runner.base_module``: ``BaseModule`` with ``init_cfg`` and ``init_weights``."""
from torch import nn


class BaseModule(nn.Module):
    """An ``nn.Module`` that remembers ``init_cfg``; ``init_weights`` calls the children's."""

    def __init__(self, init_cfg=None):
        super().__init__()
        self._is_init = False
        self.init_cfg = init_cfg

    @property
    def is_init(self):
        """Whether init_weights has run."""
        return self._is_init

    def init_weights(self):
        """Initialise the children that know how (MMCV's init_cfg initialisers are not interpreted)."""
        for module in self.children():
            if hasattr(module, "init_weights"):
                module.init_weights()
        self._is_init = True


class Sequential(BaseModule, nn.Sequential):
    """``nn.Sequential`` with ``init_cfg``."""

    def __init__(self, *args, init_cfg=None):
        BaseModule.__init__(self, init_cfg)
        nn.Sequential.__init__(self, *args)


class ModuleList(BaseModule, nn.ModuleList):
    """``nn.ModuleList`` with ``init_cfg``."""

    def __init__(self, modules=None, init_cfg=None):
        BaseModule.__init__(self, init_cfg)
        nn.ModuleList.__init__(self, modules)


class ModuleDict(BaseModule, nn.ModuleDict):
    """``nn.ModuleDict`` with ``init_cfg``."""

    def __init__(self, modules=None, init_cfg=None):
        BaseModule.__init__(self, init_cfg)
        nn.ModuleDict.__init__(self, modules)
