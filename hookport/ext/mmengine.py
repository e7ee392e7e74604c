"""Extra schedulers for a real MMEngine: ``custom_imports=dict(imports=['hookport.ext.mmengine'])``.

Importing this module registers ``MMCVExactParamScheduler`` and ``ImixExactParamScheduler`` (see
:mod:`hookport.converters.exact`)
in MMEngine's ``PARAM_SCHEDULERS`` when MMEngine is installed, and in hookport's own registry in
every case (so ``hookport run`` and the converter's verification read the same configs). It needs
only torch, mmengine, pyyaml, libcst and psutil besides hookport's pure-Python modules.
"""
from __future__ import annotations

from hookport.converters.exact import imix_scheduler_class, register_hookport, scheduler_class

register_hookport()

try:
    from mmengine.optim.scheduler.param_scheduler import INF as _MMENGINE_INF
    from mmengine.optim.scheduler.param_scheduler import _ParamScheduler as _MMEngineParamScheduler
    from mmengine.registry import PARAM_SCHEDULERS as _MMENGINE_SCHEDULERS
except ImportError:  # no MMEngine here: hookport's own registry is enough
    MMCVExactParamScheduler = ImixExactParamScheduler = None
else:
    MMCVExactParamScheduler = scheduler_class(_MMEngineParamScheduler, _MMENGINE_INF)
    ImixExactParamScheduler = imix_scheduler_class(_MMEngineParamScheduler, _MMENGINE_INF)
    for _cls in (MMCVExactParamScheduler, ImixExactParamScheduler):
        _MMENGINE_SCHEDULERS.register_module(name=_cls.__name__, module=_cls, force=True)
