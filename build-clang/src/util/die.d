build-clang/src/util/die.o: src/util/die.c src/util/die.h

src/util/die.h:
