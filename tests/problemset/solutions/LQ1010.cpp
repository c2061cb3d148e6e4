#include <iostream>
using namespace std;
int main() {
    const long long MOD = 1000000007LL;
    int n;
    cin >> n;
    long long a = 1, b = 1;  // F(1), F(2)
    for (int i = 3; i <= n; i++) {
        long long c = (a + b) % MOD;
        a = b;
        b = c;
    }
    cout << (n <= 2 ? 1 : b) << "\n";
    return 0;
}
