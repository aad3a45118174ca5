from .task_serialization import TaskSerialization

__all__ = ['TaskSerialization']
