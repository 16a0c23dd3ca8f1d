# Writes the fixtures the Datasets tests read, with numpy (2.4.6 made the committed ones).
# The tests never run this; it is here so the files can be remade and checked: python3 make_fixtures.py
import numpy as np

rng = np.random.default_rng(20261201)
X = rng.normal(size=(6, 3))
X[0, 0] = 1e-300
X[1, 1] = -2.5e10
y = np.array([0, 1, 2, 1, 0, 2], dtype=np.int64)
np.savez_compressed("deflated.npz", X=X, y=y)
np.savez("stored.npz", X=X.astype(np.float32), y=y.astype(np.int32))
# repr() prints the shortest text that reads back as the same double, so same.csv holds X exactly.
with open("same.csv", "w") as f:
    f.write("x0,x1,x2,y\n")
    for r, l in zip(X, y):
        f.write(",".join(repr(float(v)) for v in r) + f",{l}\n")
A = np.hstack([X, y[:, None].astype(float)])
np.save("c_f8.npy", A)
np.save("fortran_f4.npy", np.asfortranarray(A.astype(np.float32)))
with open("v2_i8.npy", "wb") as f:
    np.lib.format.write_array(f, (A * 10).astype(np.int64), version=(2, 0))
np.save("u1.npy", np.arange(12, dtype=np.uint8).reshape(4, 3))
np.save("objects.npy", np.array([[1, "a"], [2, "b"]], dtype=object), allow_pickle=True)
