build-clang/src/compat/names.o: src/compat/names.c src/compat/compat.h

src/compat/compat.h:
