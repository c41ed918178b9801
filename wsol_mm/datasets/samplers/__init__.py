from .similar_class_sampler import SimilarClassSampler

__all__ = ['SimilarClassSampler']
