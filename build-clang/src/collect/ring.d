build-clang/src/collect/ring.o: src/collect/ring.c src/collect/ring.h

src/collect/ring.h:
