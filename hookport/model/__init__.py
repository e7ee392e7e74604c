"""Model helpers shared by hooks: averaged-model wrappers (EMA, SWA) live in ``hookport.model.averaged``."""
