build-clang/src/collect/launch.o: src/collect/launch.c \
  src/collect/launch.h

src/collect/launch.h:
