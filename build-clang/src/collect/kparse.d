build-clang/src/collect/kparse.o: src/collect/kparse.c \
  src/collect/kparse.h

src/collect/kparse.h:
