"""关爱·圆梦 work-study: caring enterprises offer vacation positions to students of filed hardship households."""
