from .logit_distiller import LogitDistiller, NonFiniteLossError

__all__ = ['LogitDistiller', 'NonFiniteLossError']
