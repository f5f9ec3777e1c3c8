build-clang/src/collect/permissions.o: src/collect/permissions.c \
  src/collect/permissions.h

src/collect/permissions.h:
