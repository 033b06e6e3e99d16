"""The NIK lookup: what a typed NIK must look like, its keyed hash, and the answer to "is this NIK
on the DPT, and at which TPS?" through the cache."""
