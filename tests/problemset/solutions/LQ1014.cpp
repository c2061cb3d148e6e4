#include <iostream>
#include <cstdio>
using namespace std;
int main() {
    int c;
    cin >> c;
    double f = c * 9 / 5.0 + 32;
    printf("%.1f\n", f);
    return 0;
}
